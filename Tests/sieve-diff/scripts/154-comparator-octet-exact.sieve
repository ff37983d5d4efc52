require ["fileinto"];
if header :is :comparator "i;octet" "Subject" "Lunch on Friday?" {
    fileinto "yes";
} else {
    fileinto "no";
}
