require ["fileinto", "body"];
if body :raw :contains "coordinates" {
    fileinto "yes";
} else {
    fileinto "no";
}
