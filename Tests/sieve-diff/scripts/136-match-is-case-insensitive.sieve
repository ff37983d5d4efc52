require ["fileinto"];
if header :is "subject" "LUNCH ON FRIDAY?" {
    fileinto "yes";
} else {
    fileinto "no";
}
