require ["fileinto", "duplicate"];
if duplicate :header "X-Missing" {
    fileinto "yes";
} else {
    fileinto "no";
}
