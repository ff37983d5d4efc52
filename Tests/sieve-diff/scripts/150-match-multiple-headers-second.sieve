require ["fileinto"];
if header :is "X-Tag" "beta" {
    fileinto "yes";
} else {
    fileinto "no";
}
