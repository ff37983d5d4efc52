require ["fileinto"];
if address :domain :is "From" "EXAMPLE.COM" {
    fileinto "yes";
} else {
    fileinto "no";
}
