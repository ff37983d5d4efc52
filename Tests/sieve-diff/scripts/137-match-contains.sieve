require ["fileinto"];
if header :contains "Subject" "on fri" {
    fileinto "yes";
} else {
    fileinto "no";
}
