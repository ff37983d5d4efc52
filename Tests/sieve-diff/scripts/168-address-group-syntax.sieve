require ["fileinto"];
if address :is "Cc" "ann@example.net" {
    fileinto "yes";
} else {
    fileinto "no";
}
