require ["fileinto", "subaddress"];
if address :detail "From" "" {
    fileinto "yes";
} else {
    fileinto "no";
}
