require ["fileinto", "body"];
if body :text :contains "invoice attached" {
    fileinto "yes";
} else {
    fileinto "no";
}
