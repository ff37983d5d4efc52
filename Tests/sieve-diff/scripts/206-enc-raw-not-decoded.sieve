require ["fileinto"];
if header :contains "Subject" "=?UTF-8?" {
    fileinto "yes";
} else {
    fileinto "no";
}
