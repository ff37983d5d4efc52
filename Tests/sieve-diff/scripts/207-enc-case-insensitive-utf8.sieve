require ["fileinto"];
if header :contains "Subject" "GRÜSSE" {
    fileinto "yes";
} else {
    fileinto "no";
}
