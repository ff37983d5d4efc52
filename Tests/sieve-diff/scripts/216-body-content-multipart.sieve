require ["fileinto", "body"];
if body :content "multipart" :contains "--inner" {
    fileinto "yes";
} else {
    fileinto "no";
}
