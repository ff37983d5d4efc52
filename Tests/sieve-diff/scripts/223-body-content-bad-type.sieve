require ["fileinto", "body"];
if body :content "/html" :contains "" {
    fileinto "yes";
} else {
    fileinto "no";
}
