require ["fileinto"];
if address :domain :matches "Cc" "*.net" {
    fileinto "yes";
} else {
    fileinto "no";
}
