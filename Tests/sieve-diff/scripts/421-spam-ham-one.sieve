require ["fileinto", "spamtest"];
if spamtest :is "1" {
    fileinto "yes";
} else {
    fileinto "no";
}
