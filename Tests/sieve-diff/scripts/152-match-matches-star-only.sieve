require ["fileinto"];
if header :matches "X-Empty" "*" {
    fileinto "yes";
} else {
    fileinto "no";
}
