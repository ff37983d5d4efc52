require ["fileinto"];
if address :contains "From" "Alice Example" {
    fileinto "yes";
} else {
    fileinto "no";
}
