require ["fileinto"];
if address "Subject" "x" {
    fileinto "yes";
} else {
    fileinto "no";
}
