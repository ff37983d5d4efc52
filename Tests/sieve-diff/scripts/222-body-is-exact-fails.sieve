require ["fileinto", "body"];
if body :text :is "This week only" {
    fileinto "yes";
} else {
    fileinto "no";
}
