require ["fileinto"];
if header :is "SUBJECT" "Lunch on Friday?" {
    fileinto "yes";
} else {
    fileinto "no";
}
