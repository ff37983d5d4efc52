require ["fileinto", "body"];
if body :text :contains "Rechnung für Januar" {
    fileinto "yes";
} else {
    fileinto "no";
}
