require ["fileinto"];
if header :is "X-Empty" "" {
    fileinto "yes";
} else {
    fileinto "no";
}
