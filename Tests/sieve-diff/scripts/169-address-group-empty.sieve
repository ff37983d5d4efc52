require ["fileinto"];
if address :matches "To" "*" {
    fileinto "yes";
} else {
    fileinto "no";
}
