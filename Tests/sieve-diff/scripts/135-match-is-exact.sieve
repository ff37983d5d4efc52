require ["fileinto"];
if header :is "Subject" "Lunch on Friday?" {
    fileinto "yes";
} else {
    fileinto "no";
}
