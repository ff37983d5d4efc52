require ["fileinto", "subaddress"];
if address :detail "Cc" "tag" {
    fileinto "yes";
} else {
    fileinto "no";
}
