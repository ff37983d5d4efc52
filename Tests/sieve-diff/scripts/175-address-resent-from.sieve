require ["fileinto"];
if address :domain "Resent-From" "example.org" {
    fileinto "yes";
} else {
    fileinto "no";
}
