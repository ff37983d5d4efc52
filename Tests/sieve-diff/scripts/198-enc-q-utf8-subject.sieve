require ["fileinto"];
if header :contains "Subject" "Grüße aus Köln" {
    fileinto "yes";
} else {
    fileinto "no";
}
