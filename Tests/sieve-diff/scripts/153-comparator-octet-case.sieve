require ["fileinto"];
if header :is :comparator "i;octet" "Subject" "lunch on friday?" {
    fileinto "yes";
} else {
    fileinto "no";
}
