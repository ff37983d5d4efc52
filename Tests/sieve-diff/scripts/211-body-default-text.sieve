require ["fileinto", "body"];
if body :contains "project schedule" {
    fileinto "yes";
} else {
    fileinto "no";
}
