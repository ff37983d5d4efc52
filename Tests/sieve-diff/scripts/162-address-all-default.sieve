require ["fileinto"];
if address "From" "alice@example.com" {
    fileinto "yes";
} else {
    fileinto "no";
}
