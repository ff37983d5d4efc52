require ["fileinto", "subaddress"];
if address :user "Cc" "ben.bar" {
    fileinto "yes";
} else {
    fileinto "no";
}
