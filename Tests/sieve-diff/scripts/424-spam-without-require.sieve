require ["fileinto"];
if spamtest :is "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
