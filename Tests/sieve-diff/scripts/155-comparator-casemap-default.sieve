require ["fileinto"];
if header :is :comparator "i;ascii-casemap" "Subject" "lunch ON friday?" {
    fileinto "yes";
} else {
    fileinto "no";
}
