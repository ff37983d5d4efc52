require ["fileinto"];
if header :contains "X-Missing" "" {
    fileinto "yes";
} else {
    fileinto "no";
}
