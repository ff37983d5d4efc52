require ["fileinto", "spamtest"];
if spamtest :is "9" {
    fileinto "yes";
} else {
    fileinto "no";
}
