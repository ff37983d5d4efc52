require ["fileinto"];
if header :contains "X-Empty" "" {
    fileinto "yes";
} else {
    fileinto "no";
}
