require ["fileinto", "envelope", "subaddress"];
if envelope :detail "to" "lists" {
    fileinto "yes";
} else {
    fileinto "no";
}
