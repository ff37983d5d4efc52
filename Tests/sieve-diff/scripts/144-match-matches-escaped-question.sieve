require ["fileinto"];
if header :matches "Subject" "*off\\? really*" {
    fileinto "yes";
} else {
    fileinto "no";
}
