require ["fileinto", "envelope"];
if envelope :domain "from" "example.com" {
    fileinto "yes";
} else {
    fileinto "no";
}
