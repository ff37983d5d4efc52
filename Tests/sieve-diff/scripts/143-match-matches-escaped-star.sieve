require ["fileinto"];
if header :matches "Subject" "Price \\*50%\\* off*" {
    fileinto "yes";
} else {
    fileinto "no";
}
