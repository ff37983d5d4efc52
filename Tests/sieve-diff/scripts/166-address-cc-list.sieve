require ["fileinto"];
if address :is "Cc" "carol@example.net" {
    fileinto "yes";
} else {
    fileinto "no";
}
