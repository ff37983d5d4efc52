require "fileinto";
fileinto "unfiltered";
keep;
if header "Subject" "MAKE MONEY FAST!!!"
{
        discard;
}
