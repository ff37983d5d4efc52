require ["fileinto"];
if address :is :localpart "Cc" "odd" {
    fileinto "yes";
} else {
    fileinto "no";
}
