require ["fileinto", "subaddress"];
if address :detail "Reply-To" "ticket-7" {
    fileinto "yes";
} else {
    fileinto "no";
}
