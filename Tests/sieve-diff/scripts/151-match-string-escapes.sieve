require ["fileinto"];
if header :contains "Subject" "\"quoted\"" {
    fileinto "yes";
} else {
    fileinto "no";
}
