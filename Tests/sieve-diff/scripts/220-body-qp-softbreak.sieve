require ["fileinto", "body"];
if body :text :contains "Softbreak" {
    fileinto "yes";
} else {
    fileinto "no";
}
