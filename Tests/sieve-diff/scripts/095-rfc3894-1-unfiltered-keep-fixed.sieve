require "fileinto";
fileinto "unfiltered";
keep;
if header :contains "Subject" "MAKE MONEY FAST"
{
        discard;
}
