require ["fileinto", "spamtest"];
if spamtest :matches "*" {
    fileinto "yes";
} else {
    fileinto "no";
}
