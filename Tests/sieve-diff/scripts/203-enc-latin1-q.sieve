require ["fileinto"];
if header :contains "Subject" "Café crème" {
    fileinto "yes";
} else {
    fileinto "no";
}
