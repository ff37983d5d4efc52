require ["fileinto", "body"];
if body :content "application/pdf" :contains "coordinates" {
    fileinto "yes";
} else {
    fileinto "no";
}
