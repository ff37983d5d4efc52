require ["fileinto"];
if header :contains "Subject" "*50%*" {
    fileinto "yes";
} else {
    fileinto "no";
}
