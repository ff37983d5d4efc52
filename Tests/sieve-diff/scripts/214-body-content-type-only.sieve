require ["fileinto", "body"];
if body :content "text" :contains "missile" {
    fileinto "yes";
} else {
    fileinto "no";
}
