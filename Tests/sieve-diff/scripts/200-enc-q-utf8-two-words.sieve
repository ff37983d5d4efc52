require ["fileinto"];
if header :is "X-Comment" "café and crème" {
    fileinto "yes";
} else {
    fileinto "no";
}
