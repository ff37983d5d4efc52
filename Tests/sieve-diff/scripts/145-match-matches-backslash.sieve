require ["fileinto"];
if header :matches "Subject" "*really\\\\yes*" {
    fileinto "yes";
} else {
    fileinto "no";
}
